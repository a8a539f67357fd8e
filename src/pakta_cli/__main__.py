"""`python -m pakta_cli` runs the same command line as `pakta`."""

from pakta_cli.cli.app import main

if __name__ == "__main__":
    main()
