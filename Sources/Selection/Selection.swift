// Selection facade
