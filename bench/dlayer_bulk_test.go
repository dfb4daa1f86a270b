package bench

import (
	"context"
	"fmt"

	"github.com/dlayer/dlayer/engine"
)

func init() {
	pgContenders = append(pgContenders, contender{"dlayer-bulk", openDlayerBulk})
}

// dlayerBulk is dlayer's counterpart of pgx-copy: Engine.BulkInsert, which
// uses COPY from engine.CopyThreshold rows on and returns no generated keys.
type dlayerBulk struct{ d *dlayerBench }

func openDlayerBulk(ctx context.Context, dsn string) (any, error) {
	h, err := openDlayer(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return &dlayerBulk{d: h.(*dlayerBench)}, nil
}

func (b *dlayerBulk) Close() { b.d.Close() }

func (b *dlayerBulk) rows(ms []Model) [][]any {
	rows := make([][]any, len(ms))
	for i := range ms {
		m := &ms[i]
		rows[i] = []any{m.Name, m.Title, m.Fax, m.Web, m.Age, m.Right, m.Counter}
	}
	return rows
}

func (b *dlayerBulk) InsertMulti(ctx context.Context, ms []Model) error {
	n, err := b.d.e.BulkInsert(ctx, b.d.models.Spec(), b.d.cols, b.rows(ms))
	if err == nil && n != int64(len(ms)) {
		err = fmt.Errorf("bulk insert wrote %d of %d rows", n, len(ms))
	}
	return err
}

func (b *dlayerBulk) Flush(ctx context.Context, ms []Model) error {
	return b.d.e.Tx(ctx, func(tx *engine.Tx) error {
		n, err := tx.BulkInsert(ctx, b.d.models.Spec(), b.d.cols, b.rows(ms))
		if err == nil && n != int64(len(ms)) {
			err = fmt.Errorf("bulk insert wrote %d of %d rows", n, len(ms))
		}
		return err
	})
}
