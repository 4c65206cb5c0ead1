import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Config } from '../config';

// The HTTP server around the app: its timeouts, and the URL it is reached at.

export async function listen(
	app: Express,
	config: Config
): Promise<{ server: Server; port: number; url: string }> {
	const server = app.listen(config.port, config.host);
	await new Promise<void>((resolve, reject) => {
		server.once('listening', resolve);
		server.once('error', reject);
	});
	// A 32 MB upload over a 675 kbps uplink takes minutes; bodies slower than a 3G uplink are
	// cut much earlier by slowBodyGuard.
	server.requestTimeout = config.requestTimeoutMs;
	// Replication is many small sequential requests: keep connections warm between them, longer
	// than the usual load balancer idle timeout (60 s) so the balancer closes first.
	server.keepAliveTimeout = 65_000;
	server.headersTimeout = 66_000;
	const { port } = server.address() as AddressInfo;
	const host = ['0.0.0.0', '::'].includes(config.host) ? '127.0.0.1' : config.host;
	const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
	return { server, port, url };
}

export function closeServer(server: Server): Promise<void> {
	return new Promise((resolve) => {
		server.close(() => resolve());
		// Live _changes feeds never end by themselves.
		server.closeAllConnections();
	});
}
