package czertainly

// Exported for the fuzz targets of package czertainly_test, which also
// need czertainlytest (and so cannot live in this package).
var (
	DecodeError = decodeError
	Annotate    = annotate
)
