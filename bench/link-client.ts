import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { LinkStats } from './link';

// The bench's handle on an emulated link running in its own process (bench/link-process.ts).

export interface RemoteLink {
	url: string;
	preset: string;
	setPreset(preset: string): Promise<void>;
	stats(): Promise<LinkStats>;
	resetStats(): Promise<void>;
	dropConnections(): Promise<void>;
	/** Resolves when the link has been cut, after `downBytes` more bytes reached the device. */
	cutAfter(options: { downBytes: number }): Promise<void>;
	cut(): Promise<void>;
	restore(): Promise<void>;
	close(): Promise<void>;
}

export async function openLink(options: {
	preset: string;
	targetPort: number;
}): Promise<RemoteLink> {
	const child: ChildProcess = fork(fileURLToPath(new URL('./link-process.ts', import.meta.url)), {
		execArgv: ['--import', 'tsx'],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc']
	});
	let next = 0;
	const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
	const cutListeners: (() => void)[] = [];
	child.on(
		'message',
		(message: { id?: number; ok?: boolean; result?: unknown; error?: string; event?: string }) => {
			if (message.event === 'cut') {
				for (const listener of cutListeners.splice(0)) listener();
				return;
			}
			const entry = waiting.get(message.id ?? -1);
			if (!entry) return;
			waiting.delete(message.id!);
			if (message.ok) entry.resolve(message.result);
			else entry.reject(new Error(message.error));
		}
	);
	const call = <T>(op: string, extra: Record<string, unknown> = {}): Promise<T> =>
		new Promise<T>((resolve, reject) => {
			const id = ++next;
			waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
			child.send({ id, op, ...extra });
		});
	const { url } = await call<{ url: string }>('start', {
		preset: options.preset,
		targetPort: options.targetPort
	});
	return {
		url,
		preset: options.preset,
		setPreset: (preset) => call('setPreset', { preset }),
		stats: () => call<LinkStats>('stats'),
		resetStats: () => call('resetStats'),
		dropConnections: () => call('dropConnections'),
		async cutAfter({ downBytes }) {
			const done = new Promise<void>((resolve) => cutListeners.push(resolve));
			await call('cutAfter', { downBytes });
			await done;
		},
		cut: () => call('cut'),
		restore: () => call('restore'),
		async close() {
			await call('close').catch(() => undefined);
			await new Promise<void>((resolve) => {
				if (child.exitCode !== null) resolve();
				else child.once('exit', () => resolve());
			});
		}
	};
}
