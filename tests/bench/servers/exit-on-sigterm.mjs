// Preloaded (node --import) into a peer server when the harness profiles it: --cpu-prof writes
// its profile only at a normal exit, and the stock y-websocket server has no SIGTERM handler.
process.on('SIGTERM', () => process.exit(0));
