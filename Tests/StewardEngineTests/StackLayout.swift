import StewardAPI
import StewardEngine

extension Stack {
    /// The stack's layout as a topology: what a new cluster starts with.
    var layout: Topology { Topology(layoutOf: self) }
    /// Every instance of the layout, in stack order.
    var instances: [InstanceRef] { layout.instances(in: self) }
}
