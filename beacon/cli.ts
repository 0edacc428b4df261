/** seatwatch-beacon entry point. The observing and pushing commands arrive with the beacon issues. */
process.stderr.write("seatwatch-beacon: not built yet; see README.md\n");
process.exit(64);
