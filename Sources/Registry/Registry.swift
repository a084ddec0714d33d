// Registry facade
