"""One event, one action: Keras calls every hook of a callback object listed twice in fit's
`callbacks` twice in a row, and a callback that counts batches, writes a row or rolls back on a
NaN would do it twice. Such callbacks ask `first_call` before they act."""


def first_call(callback, event) -> bool:
    """False when `event` is the one this callback saw last (the second call of one event);
    otherwise records it. `forget(callback)` where event names start over (a second fit)."""
    if getattr(callback, "_last_event", None) == event:
        return False
    callback._last_event = event
    return True


def forget(callback) -> None:
    callback._last_event = None
