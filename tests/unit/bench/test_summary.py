"""The targets' table of `make bench`: each row's verdict, and no figure passed off as this
run's when another run wrote it."""

import json

from bench import summary


def _write(directory, source, results):
    (directory / f"results_{source}.json").write_text(json.dumps(results))


def _row(table, start):
    return next(line for line in table if line[0].startswith(start))


def test_a_figure_of_this_run_is_judged_against_its_target(tmp_path):
    _write(tmp_path, "royalties", {"run": "r1", "allocation": {"cpu_seconds": 0.73},
                                   "runs": [{"coproducers": 10_000, "ratio": 1.31}]})
    table = summary.rows("r1", tmp_path)
    assert _row(table, "largest-remainder")[2:] == ["0.73 CPU s", "<= 0.8 CPU s", "met"]
    assert _row(table, "royalty distribution vs raw BatchWriteItem, 10,000")[2:] == ["1.31", "<= 1.2", "not met"]


def test_a_figure_of_another_run_is_not_this_runs(tmp_path):
    _write(tmp_path, "cost", {"run": "r0", "royalty_run": {"total_usd": 11.12}})
    line = _row(summary.rows("r1", tmp_path), "monthly royalty run")
    assert line[2] == "11.12 (another run: r0)" and line[4] == "not in this run"


def test_a_missing_figure_is_not_measured(tmp_path):
    _write(tmp_path, "royalties", {"run": "r1", "runs": [{"coproducers": 10_000, "ratio": 1.1}]})
    line = _row(summary.rows("r1", tmp_path), "royalty distribution vs raw BatchWriteItem, 100,000")
    assert line[2:] == ["not measured", "<= 1.15", "-"]


def test_at_least_targets_and_derived_figures(tmp_path):
    _write(tmp_path, "pledges", {"run": "r1", "confirm_throughput": {"ratio_service_to_raw": 0.84},
                                 "requests_per_pledge": {"browser": {"total": 2}, "server": {"total": 3}}})
    _write(tmp_path, "notifications", {"run": "r1", "fan_out": {"seconds": 110.0}, "raw": {"seconds": 100.0}})
    _write(tmp_path, "royalties", {"run": "r1", "paged": [
        {"workers": 1, "seconds": 10.0, "first_invocation_seconds": 1.0, "longest_page_seconds": 2.0},
        {"workers": 8, "seconds": 3.0, "first_invocation_seconds": 1.5, "longest_page_seconds": 0.5},
        {"workers": 1, "seconds": 12.0, "first_invocation_seconds": 1.0, "longest_page_seconds": 1.0}]})
    table = summary.rows("r1", tmp_path)
    assert _row(table, "`contributions.confirm`")[4] == "not met"
    assert _row(table, "DynamoDB requests per confirmed pledge (request + webhook), paid in the browser")[2:] == [
        "2.00", "<= 2", "met"]
    assert _row(table, "DynamoDB requests per confirmed pledge (request + webhook), card")[2:] == [
        "3.00", "<= 2", "not met"]
    assert _row(table, "one milestone's fan-out")[2:] == ["1.10", "<= 1.15", "met"]
    assert _row(table, "one film's royalty run in pages, wall")[2] == f"{3.0 / 11.0:.2f}"
    assert _row(table, "one film's royalty run in pages, longest")[2] == "2.0 s"


def test_the_table_goes_first_and_keeps_the_other_sections(tmp_path):
    path = tmp_path / "BENCHMARKS.md"
    path.write_text("# Benchmarks\n\n<!-- bench:pledges -->\nP\n<!-- /bench:pledges -->\n")
    summary.write_section("summary", "S", path, first=True)
    text = path.read_text()
    assert text.index("bench:summary") < text.index("bench:pledges") and "\nP\n" in text


def test_make_bench_stamps_each_section_and_its_figures_with_its_run(tmp_path, monkeypatch):
    monkeypatch.setenv("BENCH_RUN", "2026-12-03T18:00Z at abc1234")
    path = tmp_path / "BENCHMARKS.md"
    summary.write_section("cost", "C", path)
    assert "_`make bench` run 2026-12-03T18:00Z at abc1234._" in path.read_text()
    assert summary.run_id() == "2026-12-03T18:00Z at abc1234"
