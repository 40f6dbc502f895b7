from samantha.cli import main

main()
