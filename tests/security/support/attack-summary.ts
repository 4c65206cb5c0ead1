import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

// Global set-up of the `security` project: a directory for the attack log (attack-log.ts), and at
// the end the suite's one-line summary, which CI prints.

export default function setup(project: TestProject): () => void {
	const dir = mkdtempSync(join(tmpdir(), 'doanvu-attacks-'));
	project.provide('attackLogDir', dir);
	return () => {
		let tried = 0;
		let refused = 0;
		let alive = 0;
		let dead = 0;
		const succeeded: string[] = [];
		for (const file of readdirSync(dir)) {
			for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
				if (!line) continue;
				const record = JSON.parse(line) as {
					kind: string;
					name?: string;
					refused?: boolean;
					alive?: boolean;
				};
				if (record.kind === 'alive') {
					if (record.alive) alive += 1;
					else dead += 1;
					continue;
				}
				tried += 1;
				if (record.refused) refused += 1;
				else succeeded.push(record.name ?? '?');
			}
		}
		rmSync(dir, { recursive: true, force: true });
		const serverState =
			dead === 0
				? `server alive (${alive} checks)`
				: `server DOWN in ${dead} of ${alive + dead} checks`;
		console.log(
			`\nAttack suite: ${tried} attacks tried, ${refused} refused, ${succeeded.length} succeeded; ${serverState}`
		);
		for (const name of succeeded) console.log(`  succeeded: ${name}`);
	};
}
