// Renders the SVG icons to the PNG sizes the manifest lists (Android wants PNG for installs).
// Run once when the icon changes: `npx tsx scripts/make-icons.ts` (needs Debian's chromium).
import { chromium } from 'playwright-core';
import { readFile } from 'node:fs/promises';

const sizes = [
	{ svg: 'static/icons/icon.svg', out: 'static/icons/icon-192.png', size: 192 },
	{ svg: 'static/icons/icon.svg', out: 'static/icons/icon-512.png', size: 512 },
	{ svg: 'static/icons/maskable.svg', out: 'static/icons/maskable-512.png', size: 512 }
];

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
	args: ['--headless', '--no-sandbox', '--disable-gpu']
});
const page = await browser.newPage();
for (const { svg, out, size } of sizes) {
	const markup = await readFile(svg, 'utf8');
	await page.setViewportSize({ width: size, height: size });
	await page.setContent(
		`<html><body style="margin:0;background:transparent">${markup.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`
	);
	await page.screenshot({
		path: out,
		omitBackground: true,
		clip: { x: 0, y: 0, width: size, height: size }
	});
	console.log('wrote', out);
}
await browser.close();
