// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title AnchorRegistry: Merkle log roots anchored on chain.
/// @notice Holds, per transparency log, the roots of its checkpoints at
/// strictly increasing tree sizes. A log is identified by
/// logId = SHA-256(origin line of its checkpoints) (SPEC.md, "The signed
/// statement"). The first account to anchor a logId becomes its anchorer;
/// only the anchorer may anchor it or hand the role to another account.
/// There is no owner, no upgrade path and no way to delete or rewrite a root:
/// once a root is here, auditors can rely on it for as long as the chain lives.
contract AnchorRegistry {
    /// @notice Emitted once per accepted anchor. logId is indexed so that
    /// auditors can filter one log's history with eth_getLogs.
    event Anchored(bytes32 indexed logId, uint64 treeSize, bytes32 root);

    /// @notice Emitted when a log's anchorer changes (including the first
    /// registration, where previous is the zero address).
    event AnchorerChanged(bytes32 indexed logId, address indexed previous, address indexed next);

    /// The caller is not the anchorer registered for this log.
    error NotAnchorer(bytes32 logId, address caller, address anchorer);
    /// treeSize must be strictly larger than the latest anchored size.
    error TreeSizeNotIncreasing(bytes32 logId, uint64 got, uint64 latest);
    /// A zero root would be indistinguishable from "not anchored" in rootAt.
    error ZeroRoot(bytes32 logId, uint64 treeSize);
    /// Transferring to the zero address would lock the log forever.
    error ZeroAnchorer(bytes32 logId);

    struct LogState {
        address anchorer;    // zero until the first anchor
        uint64 latestSize;   // 0 until the first anchor; packed with anchorer
        bytes32 latestRoot;
    }

    mapping(bytes32 => LogState) private logs;
    mapping(bytes32 => mapping(uint64 => bytes32)) private roots;

    /// @notice Records `root` as the log's root at `treeSize`.
    /// The first call for a logId registers msg.sender as its anchorer.
    function anchor(bytes32 logId, uint64 treeSize, bytes32 root) external {
        LogState storage log = logs[logId];
        if (log.anchorer == address(0)) {
            log.anchorer = msg.sender;
            emit AnchorerChanged(logId, address(0), msg.sender);
        } else if (log.anchorer != msg.sender) {
            revert NotAnchorer(logId, msg.sender, log.anchorer);
        }
        if (treeSize <= log.latestSize) {
            revert TreeSizeNotIncreasing(logId, treeSize, log.latestSize);
        }
        if (root == bytes32(0)) {
            revert ZeroRoot(logId, treeSize);
        }
        log.latestSize = treeSize;
        log.latestRoot = root;
        roots[logId][treeSize] = root;
        emit Anchored(logId, treeSize, root);
    }

    /// @notice Hands the anchorer role for `logId` to `next`. Only the
    /// current anchorer may call it.
    function transferAnchorer(bytes32 logId, address next) external {
        LogState storage log = logs[logId];
        if (log.anchorer != msg.sender) {
            revert NotAnchorer(logId, msg.sender, log.anchorer);
        }
        if (next == address(0)) {
            revert ZeroAnchorer(logId);
        }
        log.anchorer = next;
        emit AnchorerChanged(logId, msg.sender, next);
    }

    /// @notice The root anchored for `logId` at exactly `treeSize`, or zero
    /// if that size was never anchored.
    function rootAt(bytes32 logId, uint64 treeSize) external view returns (bytes32) {
        return roots[logId][treeSize];
    }

    /// @notice The largest anchored size of `logId` and its root; (0, 0) if
    /// the log was never anchored.
    function latest(bytes32 logId) external view returns (uint64 treeSize, bytes32 root) {
        LogState storage log = logs[logId];
        return (log.latestSize, log.latestRoot);
    }

    /// @notice The account allowed to anchor `logId`; zero if unregistered.
    function anchorerOf(bytes32 logId) external view returns (address) {
        return logs[logId].anchorer;
    }
}
