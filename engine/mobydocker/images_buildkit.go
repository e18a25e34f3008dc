package mobydocker

import (
	"fmt"

	"google.golang.org/protobuf/encoding/protowire"
)

// BuildKit reports build progress as "moby.buildkit.trace" aux messages: a
// protobuf-encoded moby.buildkit.v1.StatusResponse (SolveStatus). Rather than
// import BuildKit and its gRPC tree for four messages, the fields stack shows
// are read with protowire. Field numbers are from
// github.com/moby/buildkit/api/services/control/control.proto.

// solveStatus is the part of a StatusResponse stack reports.
type solveStatus struct {
	Vertexes []solveVertex
	Statuses []solveVertexStatus
	Logs     []solveVertexLog
}

// solveVertex is one build step ("[2/3] RUN make").
type solveVertex struct {
	Digest    string
	Name      string
	Cached    bool
	Started   bool
	Completed bool
	Error     string
}

// solveVertexStatus is progress within a step, e.g. bytes of a transfer.
type solveVertexStatus struct {
	ID        string
	Vertex    string
	Name      string
	Current   int64
	Total     int64
	Completed bool
}

// solveVertexLog is output a step printed.
type solveVertexLog struct {
	Vertex string
	Msg    []byte
}

func decodeSolveStatus(b []byte) (solveStatus, error) {
	var s solveStatus
	err := eachField(b, func(num protowire.Number, typ protowire.Type, v []byte, _ uint64) error {
		if typ != protowire.BytesType {
			return nil
		}
		switch num {
		case 1:
			vx, err := decodeVertex(v)
			s.Vertexes = append(s.Vertexes, vx)
			return err
		case 2:
			st, err := decodeVertexStatus(v)
			s.Statuses = append(s.Statuses, st)
			return err
		case 3:
			lg, err := decodeVertexLog(v)
			s.Logs = append(s.Logs, lg)
			return err
		}
		return nil
	})
	return s, err
}

func decodeVertex(b []byte) (solveVertex, error) {
	var v solveVertex
	err := eachField(b, func(num protowire.Number, _ protowire.Type, raw []byte, n uint64) error {
		switch num {
		case 1:
			v.Digest = string(raw)
		case 3:
			v.Name = string(raw)
		case 4:
			v.Cached = n != 0
		case 5:
			v.Started = true
		case 6:
			v.Completed = true
		case 7:
			v.Error = string(raw)
		}
		return nil
	})
	return v, err
}

func decodeVertexStatus(b []byte) (solveVertexStatus, error) {
	var s solveVertexStatus
	err := eachField(b, func(num protowire.Number, _ protowire.Type, raw []byte, n uint64) error {
		switch num {
		case 1:
			s.ID = string(raw)
		case 2:
			s.Vertex = string(raw)
		case 3:
			s.Name = string(raw)
		case 4:
			s.Current = int64(n)
		case 5:
			s.Total = int64(n)
		case 8:
			s.Completed = true
		}
		return nil
	})
	return s, err
}

func decodeVertexLog(b []byte) (solveVertexLog, error) {
	var l solveVertexLog
	err := eachField(b, func(num protowire.Number, _ protowire.Type, raw []byte, _ uint64) error {
		switch num {
		case 1:
			l.Vertex = string(raw)
		case 4:
			l.Msg = raw
		}
		return nil
	})
	return l, err
}

// eachField calls fn for every field of the protobuf message b, with the
// payload of length-delimited fields in raw and the value of varints in n.
// Other wire types are skipped.
func eachField(b []byte, fn func(num protowire.Number, typ protowire.Type, raw []byte, n uint64) error) error {
	for len(b) > 0 {
		num, typ, tagLen := protowire.ConsumeTag(b)
		if tagLen < 0 {
			return fmt.Errorf("decode buildkit status: %w", protowire.ParseError(tagLen))
		}
		b = b[tagLen:]
		var (
			raw []byte
			n   uint64
			m   int
		)
		switch typ {
		case protowire.BytesType:
			raw, m = protowire.ConsumeBytes(b)
		case protowire.VarintType:
			n, m = protowire.ConsumeVarint(b)
		default:
			m = protowire.ConsumeFieldValue(num, typ, b)
		}
		if m < 0 {
			return fmt.Errorf("decode buildkit status: %w", protowire.ParseError(m))
		}
		b = b[m:]
		if err := fn(num, typ, raw, n); err != nil {
			return err
		}
	}
	return nil
}
