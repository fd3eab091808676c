package collector

// vdomResult is the decoded results of one VDOM's envelope.
type vdomResult[T any] struct {
	vdom   string
	result T
}

// parsePerVDOMObject decodes a monitor reply whose envelopes each carry one
// results object, such as log/current-disk-usage with vdom=*. Empty results
// give the zero T.
func parsePerVDOMObject[T any](endpoint string, body []byte) ([]vdomResult[T], error) {
	envelopes, err := decodeEnvelopes(endpoint, body)
	if err != nil {
		return nil, err
	}

	out := make([]vdomResult[T], 0, len(envelopes))
	for _, env := range envelopes {
		var result T
		if err := decodeObject(endpoint, env.Results, &result); err != nil {
			return nil, err
		}
		out = append(out, vdomResult[T]{vdom: string(env.VDOM), result: result})
	}
	return out, nil
}

// parsePerVDOMList decodes a monitor reply whose envelopes each carry a results
// array, such as user/fsso with vdom=*.
func parsePerVDOMList[T any](endpoint string, body []byte) ([]vdomResult[[]T], error) {
	envelopes, err := decodeEnvelopes(endpoint, body)
	if err != nil {
		return nil, err
	}

	out := make([]vdomResult[[]T], 0, len(envelopes))
	for _, env := range envelopes {
		items, err := decodeList[T](endpoint, env.Results)
		if err != nil {
			return nil, err
		}
		out = append(out, vdomResult[[]T]{vdom: string(env.VDOM), result: items})
	}
	return out, nil
}
