"""What the tests and the benchmarks (bench/) both use, so that neither imports the other: generated
forms with what each one says (synth), planted review cases and look-alikes with the hand labels of the
samples' real findings (review_fixtures*, review_real, corpus_tables), meaning-preserving export noise
for robustness (noise), the samples and generated forms exported to Office files and rendered to PDF
(office_export, render_pdf, samples), comparison of parsed forms with what was written (compare,
samples), shared text lists (texts), and a throw-away PostgreSQL server (pg_server).

Imported as the top-level package `testkit` from the repository root, as `bench` is: pytest puts the
root on sys.path (pyproject.toml, `pythonpath`), and bench scripts insert it themselves."""
