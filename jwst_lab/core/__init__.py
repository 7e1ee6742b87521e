"""Services with no tornado imports: MAST, CRDS, pipelines, associations, previews."""
