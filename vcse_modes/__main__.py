from vcse_modes.cli import main

main()
