"""Per-job log files: reading from an offset, following the tail, error lines."""

from __future__ import annotations

import pytest

from jwst_lab.jobs.logs import LogFollower, last_error_lines, read_log, tail_text


def test_read_log_returns_complete_lines_until_final(tmp_path):
    log = tmp_path / "job.log"
    log.write_bytes(b"one\ntwo\npart")
    chunk = read_log(log, 0)
    assert (chunk.text, chunk.next_offset) == ("one\ntwo\n", 8)
    assert read_log(log, 8).text == ""
    final = read_log(log, 8, final=True)
    assert (final.text, final.next_offset) == ("part", 12)


def test_read_log_missing_file_and_offsets(tmp_path):
    missing = read_log(tmp_path / "none.log", 5)
    assert (missing.text, missing.next_offset) == ("", 5)
    log = tmp_path / "job.log"
    log.write_text("abc\n")
    assert read_log(log, 100).next_offset == 100
    with pytest.raises(ValueError, match="offset"):
        read_log(log, -1)


def test_read_log_limits_and_never_splits_utf8_badly(tmp_path):
    log = tmp_path / "job.log"
    log.write_text("é\n" * 10, encoding="utf-8")
    chunk = read_log(log, 0, limit=7)
    assert chunk.text == "é\né\n"
    assert chunk.next_offset == 6


def test_follower_returns_each_line_once(tmp_path):
    log = tmp_path / "job.log"
    follower = LogFollower(log)
    assert follower.new_lines() == []
    log.write_text("a\nb")
    assert follower.new_lines() == ["a"]
    with log.open("a") as handle:
        handle.write("\nc\n")
    assert follower.new_lines() == ["b", "c"]
    with log.open("a") as handle:
        handle.write("tail")
    assert follower.new_lines(final=True) == ["tail"]
    assert follower.new_lines(final=True) == []


def test_tail_and_error_lines(tmp_path):
    log = tmp_path / "job.log"
    lines = [f"line {i} - INFO - fine" for i in range(2000)]
    lines += ["x - ERROR - first problem", "ValueError: the real cause"]
    log.write_text("\n".join(lines) + "\n")
    tail = tail_text(log, max_bytes=200)
    assert tail.endswith("ValueError: the real cause\n")
    assert not tail.startswith("ine")
    assert last_error_lines(tail) == ["x - ERROR - first problem", "ValueError: the real cause"]
    assert tail_text(tmp_path / "none") == ""
