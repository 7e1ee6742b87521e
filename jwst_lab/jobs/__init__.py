"""Jobs: the store, the manager, the executors and the runner subprocess."""
