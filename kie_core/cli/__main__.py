"""``python -m kie_core.cli``: the same as the ``kie`` command."""

from kie_core.cli.app import main

if __name__ == "__main__":
    main()
