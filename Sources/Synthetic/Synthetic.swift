// Synthetic participants: see Generator.swift
