from assistant.api.app import main

main()
