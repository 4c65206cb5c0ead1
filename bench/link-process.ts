import { PRESETS, startLink, type Link } from './link';

// The link emulator in a process of its own, driven over IPC by bench/link-client.ts: the device's
// own work (parsing, writing PouchDB) must not delay the bytes on the emulated wire, as it would if
// both shared one event loop.

interface Command {
	id: number;
	op:
		| 'start'
		| 'setPreset'
		| 'stats'
		| 'resetStats'
		| 'dropConnections'
		| 'cutAfter'
		| 'cut'
		| 'restore'
		| 'close';
	preset?: string;
	targetPort?: number;
	downBytes?: number;
}

let link: Link | undefined;

// The bench is gone (finished, crashed, interrupted): so is this process.
process.on('disconnect', () => process.exit(0));

process.on('message', (message: Command) => {
	void handle(message).then(
		(result) => process.send?.({ id: message.id, ok: true, result }),
		(error: unknown) => process.send?.({ id: message.id, ok: false, error: String(error) })
	);
});

async function handle(command: Command): Promise<unknown> {
	switch (command.op) {
		case 'start': {
			const preset = PRESETS[command.preset ?? ''];
			if (!preset) throw new Error(`unknown link preset ${command.preset}`);
			link = await startLink({ preset, targetPort: command.targetPort ?? 0 });
			return { port: link.port, url: link.url };
		}
		case 'setPreset': {
			const preset = PRESETS[command.preset ?? ''];
			if (!preset || !link) throw new Error(`unknown link preset ${command.preset}`);
			return link.setPreset(preset);
		}
		case 'stats':
			return link?.stats();
		case 'resetStats':
			return link?.resetStats();
		case 'dropConnections':
			return link?.dropConnections();
		case 'cutAfter':
			// Answers at once; the cut itself is reported as a separate message.
			void link?.cutAfter({ downBytes: command.downBytes ?? 0 }).then(() => {
				process.send?.({ event: 'cut' });
			});
			return null;
		case 'cut':
			return link?.cut();
		case 'restore':
			return link?.restore();
		case 'close':
			await link?.close();
			setTimeout(() => process.exit(0), 10);
			return null;
	}
}
