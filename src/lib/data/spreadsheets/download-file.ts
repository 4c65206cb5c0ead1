// Handing a file made on the phone to the browser as a download: the sheets (exports, templates,
// reports) and anything else built in memory. The one place that makes and revokes object URLs
// for downloads.

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function downloadFile(options: {
	data: ArrayBuffer | Blob;
	fileName: string;
	/** The type of bytes given as an ArrayBuffer (default: an .xlsx). */
	type?: string;
}): void {
	const blob =
		options.data instanceof Blob
			? options.data
			: new Blob([options.data], { type: options.type ?? XLSX_TYPE });
	const url = URL.createObjectURL(blob);
	const link = document.createElement('a');
	link.href = url;
	link.download = options.fileName;
	document.body.append(link);
	link.click();
	link.remove();
	// The download has started; the object URL may go once the click is handled.
	setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
