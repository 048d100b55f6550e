import v8 from "node:v8";

// Imported first by the production entry, before anything compiles WebAssembly.
//
// Prisma's query compiler is a WebAssembly module. V8 compiles it with its baseline compiler (Liftoff) and then,
// for the functions it finds hot, again with its optimizing one: a second copy of the code that costs some 14 MB
// of resident memory (measured on the canon database: 139 → 125 MB). The compiler turns a query's shape into a
// plan that Prisma caches, so its speed barely shows: the 1,000-ballot burst and the lookups per second of
// `npm run bench` measured the same within their noise.
v8.setFlagsFromString("--liftoff-only");
