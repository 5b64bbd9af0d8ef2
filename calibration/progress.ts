// How a long procedure says how far it got: done out of total, and what it is doing.
export type ProgressFn = (done: number, total: number, stage: string) => void;

export const noProgress: ProgressFn = () => {};
