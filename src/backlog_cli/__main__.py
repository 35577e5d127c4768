from backlog_cli.cli import main

main()
