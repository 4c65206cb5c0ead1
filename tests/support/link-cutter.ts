import net from 'node:net';

// A TCP relay between the browser and the server that can be cut like a lost mobile signal. Chromium's
// offline emulation does not reliably cover service-worker traffic, so tests cut the wire itself: a
// page that still works has really been served from the device.

export interface LinkCutter {
	port: number;
	url: string;
	cut(): void;
	restore(): void;
	close(): Promise<void>;
}

export async function startLinkCutter(options: { targetPort: number; port?: number }) {
	const sockets = new Set<net.Socket>();
	let up = true;
	const server = net.createServer((client) => {
		if (!up) {
			client.destroy();
			return;
		}
		const upstream = net.connect(options.targetPort, '127.0.0.1');
		sockets.add(client).add(upstream);
		const drop = () => {
			client.destroy();
			upstream.destroy();
			sockets.delete(client);
			sockets.delete(upstream);
		};
		client.on('error', drop).on('close', drop);
		upstream.on('error', drop).on('close', drop);
		client.pipe(upstream).pipe(client);
	});
	await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
	const port = (server.address() as net.AddressInfo).port;
	const cutter: LinkCutter = {
		port,
		url: `http://127.0.0.1:${port}`,
		cut() {
			up = false;
			for (const socket of sockets) socket.destroy();
			sockets.clear();
		},
		restore() {
			up = true;
		},
		close() {
			cutter.cut();
			return new Promise((resolve) => server.close(() => resolve()));
		}
	};
	return cutter;
}
