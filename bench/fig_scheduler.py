"""placeholder"""


def figures() -> list:
    return []
