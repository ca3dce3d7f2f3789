"""Run the emulated marketplaces: WB on --port, Ozon on --port+1, Yandex Market on +2, AliExpress on +3."""

import signal
import threading

from django.core.management.base import BaseCommand

from connectors.sandbox.buyers import Buyers, BuyerSettings
from connectors.sandbox.server import Sandbox

PORT_OFFSETS = {"wb": 0, "ozon": 1, "yandex_market": 2, "aliexpress": 3}


class Command(BaseCommand):
    help = "Run the marketplace sandbox (a real HTTP server per marketplace)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=9001, help="WB's port; Ozon, YM and AE take the next three")
        parser.add_argument("--validate-specs", action="store_true", help="check traffic against the official specs")
        parser.add_argument("--buyers", type=float, default=0.0, help="simulated orders per second (0: none)")
        parser.add_argument("--cancel-rate", type=float, default=0.05)
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, host, port, validate_specs, buyers, cancel_rate, seed, **options):
        from connectors.sandbox.world import World

        sandbox = Sandbox(World(seed=seed), validate_specs=validate_specs)
        sandbox.start(host, {mp: port + offset for mp, offset in PORT_OFFSETS.items()})
        for marketplace, url in sandbox.urls.items():
            self.stdout.write(f"{marketplace:14} {url}")
        if buyers > 0:
            sandbox.buyers = Buyers(sandbox, BuyerSettings(rate=buyers, cancel_rate=cancel_rate)).start()
            self.stdout.write(f"buyers: {buyers} orders/s")
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        stop.wait()
        sandbox.stop()
        self.stdout.write("sandbox stopped")
