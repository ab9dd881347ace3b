from chalicelib import retry


def test_pause_sleeps_a_random_time_up_to_the_ceiling_of_its_attempt():
    slept, bounds = [], []

    def uniform(low, high):
        bounds.append((low, high))
        return high / 2

    seconds = retry.pause(3, base=0.01, cap=0.5, sleep=slept.append, uniform=uniform)
    assert bounds == [(0.0, 0.08)]
    assert slept == [seconds] == [0.04]
