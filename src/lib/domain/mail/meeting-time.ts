import { addDays, formatDateTime, todayIso } from '../dates';

// A meeting's time as the phone reminds of it (ADR 0021: the day before and the hour before,
// computed on the phone from the copy): in Vietnam's time, whatever zone the phone is set to.

/** '2026-12-08T01:00:00.000Z' → '08:00' (Vietnam). */
export function vietnamTime(isoTimestamp: string): string {
	return formatDateTime(isoTimestamp).slice(-5);
}

/**
 * "Họp lúc 08:00 ngày mai" / "Họp lúc 08:00 hôm nay" / within the hour "Họp lúc 08:00, còn 40 phút"
 * / "Đang họp (từ 08:00)", or null when the meeting is neither today nor tomorrow in Vietnam, or
 * over (more than `graceMs` since it started).
 */
export function meetingReminder(options: {
	startsAt: string;
	now: Date;
	graceMs?: number;
}): string | null {
	const start = new Date(options.startsAt);
	if (Number.isNaN(start.getTime())) return null;
	const since = options.now.getTime() - start.getTime();
	const time = vietnamTime(options.startsAt);
	if (since >= 0) return since <= (options.graceMs ?? 3_600_000) ? `Đang họp (từ ${time})` : null;
	// The hour before: the minutes left, rounded up (a meeting 30 s away still has "1 phút").
	if (-since <= 3_600_000) return `Họp lúc ${time}, còn ${Math.ceil(-since / 60_000)} phút`;
	const today = todayIso(options.now);
	const day = todayIso(start);
	if (day === today) return `Họp lúc ${time} hôm nay`;
	if (day === addDays({ date: today, days: 1 })) return `Họp lúc ${time} ngày mai`;
	return null;
}

/** The received meetings worth a reminder now (not declined), with the reminder's words. */
export function meetingsToRemind<
	T extends { meeting?: { startsAt: string }; response?: { answer: string } }
>(mails: readonly T[], now: Date): { mail: T; text: string }[] {
	return mails.flatMap((mail) => {
		if (!mail.meeting || mail.response?.answer === 'absent') return [];
		const text = meetingReminder({ startsAt: mail.meeting.startsAt, now });
		return text ? [{ mail, text }] : [];
	});
}
