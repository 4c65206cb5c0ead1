import { afterAll, beforeAll } from 'vitest';
import type { WorkerHooks } from '../../server/workers/job-runner';
import { startTestServer, type TestServer } from './test-server';

type Workers = NonNullable<Parameters<typeof startTestServer>[0]>['workers'];

/**
 * Several servers on one store, as in production: a host (its own workers off) owns the store, and
 * `onHost` starts servers whose workers share it, so a test can crash one and let another take over.
 * Registers the describe block's beforeAll/afterAll; the servers close before the host, keeping data.
 */
export function useServersOnOneStore(workers: NonNullable<Workers>): {
	host: () => TestServer;
	onHost: (hooks?: WorkerHooks) => Promise<TestServer>;
} {
	let host: TestServer | undefined;
	const servers: TestServer[] = [];

	beforeAll(async () => {
		host = await startTestServer({ workers: { ...workers, enabled: false } });
	});

	afterAll(async () => {
		for (const server of servers.reverse()) await server.close({ keepData: true });
		await host?.close();
	});

	const hostServer = (): TestServer => {
		if (!host) throw new Error('The host server has not started yet.');
		return host;
	};

	return {
		host: hostServer,
		async onHost(hooks) {
			const store = hostServer().embeddedStore;
			const server = await startTestServer({
				workers,
				workerHooks: hooks,
				dbPrefix: hostServer().config.dbPrefix,
				...(store
					? { couchdbUrl: store.url, couchdbUser: store.user, couchdbPassword: store.password }
					: {})
			});
			servers.push(server);
			return server;
		}
	};
}
