"""The output layer: synthesis in a worker, rendering, the jsii bridge, writing and comparing dist/."""
