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
