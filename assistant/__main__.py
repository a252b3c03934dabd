from assistant.server import main

main()
