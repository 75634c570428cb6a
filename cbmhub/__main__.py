from cbmhub.cli import main

main()
