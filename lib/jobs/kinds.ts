/** The kinds of background job, in the order a recording goes through them. */
export const JOB_KINDS = ["remux", "autodoc", "rendition"] as const;

/** One kind of background job. */
export type JobKind = (typeof JOB_KINDS)[number];
