import { loadBench } from './load-bench';
const n = Number(process.argv[2] ?? 1);
const kind = (process.argv[3] ?? 'leveldb') as 'leveldb';
const store = kind === ('couchdb' as string)
	? { kind: 'couchdb' as const, url: 'http://127.0.0.1:5984/', user: 'admin', password: process.env.PW }
	: { kind };
const r = await loadBench({ devices: n, members: 100, store, log: console.log });
console.log(JSON.stringify({ ms: r.ms, requests: r.requests, p50: r.requestMs.p50, p95: r.requestMs.p95, small: r.smallRequestMs, errors: r.errorSamples, byKind: r.byKind }));
process.exit(0);
