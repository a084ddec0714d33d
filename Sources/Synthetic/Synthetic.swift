// The `Synthetic` module: synthetic participants for tests, demos and benchmarks of the fan-out engine.
//
// Its public API:
// - `Place` and `PlaceTable` (PlaceTable.swift): the bundled table of populated places (GeoNames,
//   CC BY 4.0): every Dutch place with population >= 500 plus the Belgian and German ones within
//   30 km of the Dutch border. Built by `tools/make_places.py`; see `data/LICENSES.md`.
// - `PopulationGenerator` (PopulationGenerator*.swift): a deterministic, population-weighted,
//   clustered population with households and about 3% cross-border participants, each with the
//   country of its position (`CountryOfPosition`, a lookup the caller gives), produced as
//   `SyntheticParticipant` values (`generate(count:_:)`) or as an atomically written CSV file
//   (`writeCSV(count:seed:places:countries:to:progress:)`).
// - `SyntheticError`: the module's one error type (code, message, file, line, field).
//
// Internals: `Xoshiro256StarStar`/`SplitMix64` (Random.swift), the id permutation
// (IDPermutation.swift), the CSV reader (CSVRecordReader.swift) and the byte-level CSV writer
// (PopulationGenerator+CSV.swift).
