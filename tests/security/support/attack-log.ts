import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, inject } from 'vitest';

// Every attack the security suite tries is recorded here, one JSON line per attempt, so that the
// suite can print one line at the end (attack-summary.ts): attacks tried, refused, succeeded, and
// whether every server was still alive afterwards. A test asserts the refusal too, so a succeeded
// attack both fails its test and shows in the summary.

declare module 'vitest' {
	export interface ProvidedContext {
		attackLogDir: string;
	}
}

export interface AttackRecord {
	name: string;
	refused: boolean;
	detail?: string;
}

function logFile(): string {
	return join(inject('attackLogDir'), `${process.pid}-${process.env.VITEST_POOL_ID ?? '0'}.jsonl`);
}

/** Records one attempt; `refused` is whether the server refused (or neutralised) it. */
export function recordAttack(record: AttackRecord): void {
	appendFileSync(logFile(), `${JSON.stringify({ kind: 'attack', ...record })}\n`);
}

/** Records an attempt and fails the test if it was not refused. */
export function expectRefused(name: string, refused: boolean, detail?: string): void {
	recordAttack({ name, refused, detail });
	expect(refused, `${name} was not refused${detail ? `: ${detail}` : ''}`).toBe(true);
}

/** The response of an attempt: refused when its status is one of `statuses` (default: any 4xx). */
export async function expectRefusedResponse(
	name: string,
	res: Response,
	statuses?: number[]
): Promise<void> {
	const refused = statuses ? statuses.includes(res.status) : res.status >= 400 && res.status < 500;
	const body = refused ? '' : await res.text().catch(() => '');
	expectRefused(name, refused, `HTTP ${res.status} ${body.slice(0, 200)}`);
}

/** After a file's attacks: the server still answers its health check, quickly. */
export async function expectAlive(baseUrl: string): Promise<void> {
	let alive = false;
	try {
		const res = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(5000) });
		alive = res.ok;
	} catch {
		alive = false;
	}
	appendFileSync(logFile(), `${JSON.stringify({ kind: 'alive', alive })}\n`);
	expect(alive, 'the server no longer answers /api/health').toBe(true);
}
