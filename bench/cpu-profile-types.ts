// A CDP `Profiler.stop` profile, as the cheap-phone scripts read it (bench/sign-in-profile.ts,
// bench/cheap-phone-pinned-split.ts).

export interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
	children?: number[];
}

export interface CpuProfile {
	nodes: ProfileNode[];
	startTime: number;
	endTime: number;
	samples: number[];
	timeDeltas: number[];
}

/** Each node's parent id (the root has none): a sample's stack is walked leaf to root with it. */
export function parentsOf(profile: CpuProfile): Map<number, number> {
	const parent = new Map<number, number>();
	for (const node of profile.nodes)
		for (const child of node.children ?? []) parent.set(child, node.id);
	return parent;
}
