package enginetest

import "testing"

// Run runs the behaviour suite against the database cfg opens.
func Run(t *testing.T, cfg Config) {
	tests := []struct {
		name string
		fn   func(*testing.T, Config)
	}{
		{"TypesRoundTrip", testTypesRoundTrip},
		{"Decimals", testDecimals},
		{"RawTimes", testRawTimes},
		{"Records", testRecords},
		{"StructScan", testStructScan},
		{"RowsLifecycle", testRowsLifecycle},
		{"NotFound", testNotFound},
		{"Constraints", testConstraints},
		{"Cancel", testCancel},
		{"Stream", testStream},
		{"Transactions", testTransactions},
		{"QueryBuilder", testQueryBuilder},
		{"Observability", testObservability},
		{"KeptArguments", testKeptArguments},
		{"Retryable", testRetryable},
		{"BulkInsert", testBulkInsert},
		{"Serializable", testSerializable},
		{"CloseWithOpenTx", testCloseWithOpenTx},
		{"TxOutlivesBeginContext", testTxOutlivesBeginContext},
		{"QueryErrorsNotMasked", testQueryErrorsNotMasked},
		{"EmptyStatement", testEmptyStatement},
		{"RedactedErrors", testRedactedErrors},
		{"SingleStatementText", testSingleStatementText},
		{"RetryCounters", testRetryCounters},
		{"RetryForcedConflict", testRetryForcedConflict},
		{"RetryAtCommit", testRetryAtCommit},
		{"RetryStops", testRetryStops},
		{"TxOptions", testTxOptions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, cfg) })
	}
}
