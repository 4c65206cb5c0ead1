import { fullName, type HistoryDoc, type MemberDoc } from '$lib/domain';
import { entryDetail, entryTitle } from '../history-text';
import { profileSections } from '../member-profile-sections';

// A member's file worded as her profile screen words it: the profile's sections, and the timeline's
// titles and one-line details (history-text.ts), so the file and the screen never drift apart.

export interface MemberFileText {
	name: string;
	unitName: string;
	sections: { title: string; rows: { label: string; value: string }[] }[];
	history: {
		at: string;
		kind: string;
		summary: string;
		decisionNumber: string;
		decisionDate: string;
		note: string;
	}[];
}

export function memberFileText(options: {
	member: MemberDoc;
	unitName: string;
	branchName: string;
	/** The timeline, in the screen's order. */
	timeline: readonly { entry: HistoryDoc; reversedBy: HistoryDoc | null }[];
	branchNameOf: (branchId: string) => string;
}): MemberFileText {
	const { member, unitName, branchName, timeline, branchNameOf } = options;
	return {
		name: fullName(member),
		unitName,
		sections: profileSections(member, { unitName, branchName }),
		history: timeline.map(({ entry, reversedBy }) => ({
			at: entry.at,
			kind: entryTitle(entry),
			summary: entryDetail(entry, branchNameOf),
			decisionNumber: entry.decision?.number ?? '',
			decisionDate: entry.decision?.date ?? '',
			note: reversedBy ? 'Đã hoàn tác' : ''
		}))
	};
}
