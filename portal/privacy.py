"""The rule for aggregates: no figure is shown for a group of fewer than five people."""

MIN_GROUP = 5
HIDDEN = "<5"


def suppressed(count):
    if count is None:
        return ""
    if 0 < count < MIN_GROUP:
        return HIDDEN
    return count
