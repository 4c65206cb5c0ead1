import { existsSync } from 'node:fs';
import { createDoanvuServer } from './app';
import { ConfigError } from './config';

// `npx tsx server/main.ts [--demo]`: starts the server from the environment (see .env.example).

// A .env file in the working directory, if any; variables already set in the environment win.
if (existsSync('.env')) process.loadEnvFile('.env');

const args = process.argv.slice(2);
const unknown = args.filter((arg) => arg !== '--demo');
if (unknown.length > 0) {
	console.error(
		`Tham số không hợp lệ: ${unknown.join(' ')}\nCách dùng: tsx server/main.ts [--demo]`
	);
	process.exit(2);
}

try {
	const server = await createDoanvuServer();
	console.log(`Đoàn vụ đang chạy tại ${server.url}`);
	if (args.includes('--demo')) {
		const { loadDemo } = await import('./demo-loader');
		await loadDemo({ server, print: (line: string) => console.log(line) });
	}
	let stopping = false;
	const stop = async () => {
		if (stopping) return;
		stopping = true;
		console.log('Đang dừng máy chủ…');
		await server.close();
		process.exit(0);
	};
	process.on('SIGINT', () => void stop());
	process.on('SIGTERM', () => void stop());
} catch (error) {
	console.error(error instanceof ConfigError ? error.message : error);
	process.exit(1);
}
