import io

from devstack.distribute import ProgressBar


def test_progress_bar_draws_one_line_per_stage():
    out = io.StringIO()
    bar = ProgressBar(out)
    bar.start("distribute film", 10)
    for _ in range(10):
        bar.advance(1)
    bar.start("settle film", 0)
    bar.close()
    lines = out.getvalue().split("\n")
    assert lines[0].endswith("[##############################] 100%  10/10")
    assert "settle film" in lines[1] and lines[2] == ""


def test_a_finished_stage_ends_at_100_percent_whatever_its_estimate():
    """A stage's total is an estimate (the film's co-producer counter); the run reports fewer
    (a period done already, co-producers who left before the period's end) or more (several
    batches): the stage that ends is drawn complete, never stuck below 100%."""
    out = io.StringIO()
    bar = ProgressBar(out)
    bar.start("distribute short", 10)
    bar.advance(4)
    bar.start("distribute long", 5)
    bar.advance(12)
    bar.start("settle", 3)
    bar.close()
    lines = out.getvalue().split("\n")
    assert lines[0].endswith("100%  10/10")
    assert lines[1].endswith("100%  12/12")
    assert lines[2].endswith("100%  3/3") and lines[3] == ""


def test_the_bar_draws_the_work_done_while_a_stage_runs_not_only_its_start():
    out = io.StringIO()
    bar = ProgressBar(out, min_interval=0)  # every advance drawn: no wait on the clock
    bar.start("distribute film", 10)
    bar.advance(4)
    assert out.getvalue().split("\r")[-1].endswith("[############..................]  40%  4/10")
    bar.advance(3)
    assert out.getvalue().split("\r")[-1].endswith(" 70%  7/10") and "\n" not in out.getvalue()
    bar.close()
    assert out.getvalue().endswith("100%  10/10\n")
