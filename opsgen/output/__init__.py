"""The output layer: synthesis in workers, rendering, the jsii bridge, writing and comparing dist/."""
