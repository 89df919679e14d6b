"""`python -m generator` runs the iamforge CLI."""
from generator.cli import main

if __name__ == "__main__":  # pragma: no cover
    main()
