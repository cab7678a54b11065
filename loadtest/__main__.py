# locust patches the standard library for gevent on import: it must come before anything imports threading or ssl.
import locust  # noqa: F401

from loadtest.run import main

main()
