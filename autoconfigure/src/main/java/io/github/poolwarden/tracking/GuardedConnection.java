/*
 * Copyright 2026-present the PoolWarden authors.
 *
 * Licensed under the Apache License, Version 2.0 (the "License");
 * you may not use this file except in compliance with the License.
 * You may obtain a copy of the License at
 *
 *      https://www.apache.org/licenses/LICENSE-2.0
 *
 * Unless required by applicable law or agreed to in writing, software
 * distributed under the License is distributed on an "AS IS" BASIS,
 * WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
 * See the License for the specific language governing permissions and
 * limitations under the License.
 */

package io.github.poolwarden.tracking;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Struct;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import org.jspecify.annotations.Nullable;

/**
 * A borrowed connection as PoolWarden hands it out: delegates every call to the pool's
 * connection, and on {@link #close()} rolls back what was left uncommitted and tells the
 * tracker that its holder is gone, before the pool takes it back.
 *
 * @author PoolWarden authors
 */
final class GuardedConnection implements Connection {

	private static final Log logger = LogFactory.getLog(GuardedConnection.class);

	private static final VarHandle CLOSED;

	static {
		try {
			CLOSED = MethodHandles.lookup().findVarHandle(GuardedConnection.class, "closed", boolean.class);
		}
		catch (ReflectiveOperationException ex) {
			throw new ExceptionInInitializerError(ex);
		}
	}

	private final Connection delegate;

	private final ConnectionTracker tracker;

	final @Nullable Slot slot;

	final @Nullable Thread thread;

	final ConnectionTracker.@Nullable Holding holding;

	final long borrowedAtNanos;

	final @Nullable BorrowSite site;

	private volatile @Nullable String callSite;

	volatile boolean longHoldReported;

	private volatile boolean closed;

	GuardedConnection(Connection delegate, ConnectionTracker tracker, @Nullable Slot slot,
			@Nullable Thread thread, ConnectionTracker.@Nullable Holding holding, long borrowedAtNanos,
			@Nullable BorrowSite site) {
		this.delegate = delegate;
		this.tracker = tracker;
		this.slot = slot;
		this.thread = thread;
		this.holding = holding;
		this.borrowedAtNanos = borrowedAtNanos;
		this.site = site;
	}

	/**
	 * Whether a holder still has this connection: not closed through this wrapper, nor
	 * behind its back (through the pool's own handle, an abort or an eviction).
	 */
	boolean isHeld(Connection physical) {
		if (this.closed) {
			return false;
		}
		try {
			return !this.delegate.isClosed() && !physical.isClosed();
		}
		catch (SQLException ex) {
			return false;
		}
	}

	/**
	 * Return where the connection was borrowed, turning the recorded stack into a call
	 * site the first time it is asked for.
	 */
	@Nullable String callSite() {
		String callSite = this.callSite;
		if (callSite == null && this.site != null) {
			callSite = this.tracker.callSites().in(this.site.getStackTrace());
			this.callSite = callSite;
		}
		return callSite;
	}

	ConnectionHolder toHolder(long nowNanos, Instant now, @Nullable String waitingAt) {
		Duration heldFor = Duration.ofNanos(Math.max(0, nowNanos - this.borrowedAtNanos));
		return new ConnectionHolder(ConnectionTracker.describe(this.thread), now.minus(heldFor), heldFor, callSite(),
				waitingAt);
	}

	@Override
	public void close() throws SQLException {
		if (!CLOSED.compareAndSet(this, false, true)) {
			return;
		}
		this.tracker.released(this);
		try {
			cleanUp();
		}
		catch (SQLException ex) {
			// A connection that cannot be rolled back or reset is broken: the pool's close
			// below evicts it.
			this.tracker.returnedBroken();
			logger.debug("Could not clean up a returned connection", ex);
		}
		finally {
			this.delegate.close();
		}
	}

	private void cleanUp() throws SQLException {
		if (this.delegate.isClosed()) {
			// the pool closed it after a connection error
			this.tracker.returnedBroken();
			return;
		}
		if (this.tracker.rollsBackOnReturn() && !this.delegate.getAutoCommit()) {
			// HikariCP rolls back only work it saw; work done through unwrap() would be
			// committed when it resets auto-commit.
			this.delegate.rollback();
		}
		String resetSql = this.tracker.resetSql();
		if (resetSql != null) {
			try (Statement statement = this.delegate.createStatement()) {
				statement.execute(resetSql);
			}
		}
	}

	@Override
	public boolean isClosed() throws SQLException {
		return this.closed || this.delegate.isClosed();
	}

	@Override
	public void abort(Executor executor) throws SQLException {
		if (CLOSED.compareAndSet(this, false, true)) {
			this.tracker.released(this);
			this.tracker.returnedBroken();
		}
		this.delegate.abort(executor);
	}

	@Override
	public <T> T unwrap(Class<T> iface) throws SQLException {
		if (iface.isInstance(this)) {
			return iface.cast(this);
		}
		return this.delegate.unwrap(iface);
	}

	@Override
	public boolean isWrapperFor(Class<?> iface) throws SQLException {
		return iface.isInstance(this) || this.delegate.isWrapperFor(iface);
	}

	@Override
	public String toString() {
		return "GuardedConnection[" + this.delegate + "]";
	}

	@Override
	public Statement createStatement() throws SQLException {
		return this.delegate.createStatement();
	}

	@Override
	public PreparedStatement prepareStatement(String sql) throws SQLException {
		return this.delegate.prepareStatement(sql);
	}

	@Override
	public CallableStatement prepareCall(String sql) throws SQLException {
		return this.delegate.prepareCall(sql);
	}

	@Override
	public String nativeSQL(String sql) throws SQLException {
		return this.delegate.nativeSQL(sql);
	}

	@Override
	public void setAutoCommit(boolean value) throws SQLException {
		this.delegate.setAutoCommit(value);
	}

	@Override
	public boolean getAutoCommit() throws SQLException {
		return this.delegate.getAutoCommit();
	}

	@Override
	public void commit() throws SQLException {
		this.delegate.commit();
	}

	@Override
	public void rollback() throws SQLException {
		this.delegate.rollback();
	}

	@Override
	public DatabaseMetaData getMetaData() throws SQLException {
		return this.delegate.getMetaData();
	}

	@Override
	public void setReadOnly(boolean value) throws SQLException {
		this.delegate.setReadOnly(value);
	}

	@Override
	public boolean isReadOnly() throws SQLException {
		return this.delegate.isReadOnly();
	}

	@Override
	public void setCatalog(String name) throws SQLException {
		this.delegate.setCatalog(name);
	}

	@Override
	public String getCatalog() throws SQLException {
		return this.delegate.getCatalog();
	}

	@Override
	public void setTransactionIsolation(int level) throws SQLException {
		this.delegate.setTransactionIsolation(level);
	}

	@Override
	public int getTransactionIsolation() throws SQLException {
		return this.delegate.getTransactionIsolation();
	}

	@Override
	public SQLWarning getWarnings() throws SQLException {
		return this.delegate.getWarnings();
	}

	@Override
	public void clearWarnings() throws SQLException {
		this.delegate.clearWarnings();
	}

	@Override
	public Statement createStatement(int resultSetType, int resultSetConcurrency) throws SQLException {
		return this.delegate.createStatement(resultSetType, resultSetConcurrency);
	}

	@Override
	public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
		return this.delegate.prepareStatement(sql, resultSetType, resultSetConcurrency);
	}

	@Override
	public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency) throws SQLException {
		return this.delegate.prepareCall(sql, resultSetType, resultSetConcurrency);
	}

	@Override
	public Map<String, Class<?>> getTypeMap() throws SQLException {
		return this.delegate.getTypeMap();
	}

	@Override
	public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
		this.delegate.setTypeMap(map);
	}

	@Override
	public void setHoldability(int holdability) throws SQLException {
		this.delegate.setHoldability(holdability);
	}

	@Override
	public int getHoldability() throws SQLException {
		return this.delegate.getHoldability();
	}

	@Override
	public Savepoint setSavepoint() throws SQLException {
		return this.delegate.setSavepoint();
	}

	@Override
	public Savepoint setSavepoint(String name) throws SQLException {
		return this.delegate.setSavepoint(name);
	}

	@Override
	public void rollback(Savepoint savepoint) throws SQLException {
		this.delegate.rollback(savepoint);
	}

	@Override
	public void releaseSavepoint(Savepoint savepoint) throws SQLException {
		this.delegate.releaseSavepoint(savepoint);
	}

	@Override
	public Statement createStatement(int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
		return this.delegate.createStatement(resultSetType, resultSetConcurrency, resultSetHoldability);
	}

	@Override
	public PreparedStatement prepareStatement(String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
		return this.delegate.prepareStatement(sql, resultSetType, resultSetConcurrency, resultSetHoldability);
	}

	@Override
	public CallableStatement prepareCall(String sql, int resultSetType, int resultSetConcurrency, int resultSetHoldability) throws SQLException {
		return this.delegate.prepareCall(sql, resultSetType, resultSetConcurrency, resultSetHoldability);
	}

	@Override
	public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
		return this.delegate.prepareStatement(sql, autoGeneratedKeys);
	}

	@Override
	public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
		return this.delegate.prepareStatement(sql, columnIndexes);
	}

	@Override
	public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
		return this.delegate.prepareStatement(sql, columnNames);
	}

	@Override
	public Clob createClob() throws SQLException {
		return this.delegate.createClob();
	}

	@Override
	public Blob createBlob() throws SQLException {
		return this.delegate.createBlob();
	}

	@Override
	public NClob createNClob() throws SQLException {
		return this.delegate.createNClob();
	}

	@Override
	public SQLXML createSQLXML() throws SQLException {
		return this.delegate.createSQLXML();
	}

	@Override
	public boolean isValid(int timeout) throws SQLException {
		return this.delegate.isValid(timeout);
	}

	@Override
	public void setClientInfo(String name, String value) throws SQLClientInfoException {
		this.delegate.setClientInfo(name, value);
	}

	@Override
	public void setClientInfo(Properties properties) throws SQLClientInfoException {
		this.delegate.setClientInfo(properties);
	}

	@Override
	public String getClientInfo(String name) throws SQLException {
		return this.delegate.getClientInfo(name);
	}

	@Override
	public Properties getClientInfo() throws SQLException {
		return this.delegate.getClientInfo();
	}

	@Override
	public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
		return this.delegate.createArrayOf(typeName, elements);
	}

	@Override
	public Struct createStruct(String typeName, Object[] elements) throws SQLException {
		return this.delegate.createStruct(typeName, elements);
	}

	@Override
	public void setSchema(String name) throws SQLException {
		this.delegate.setSchema(name);
	}

	@Override
	public String getSchema() throws SQLException {
		return this.delegate.getSchema();
	}

	@Override
	public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
		this.delegate.setNetworkTimeout(executor, milliseconds);
	}

	@Override
	public int getNetworkTimeout() throws SQLException {
		return this.delegate.getNetworkTimeout();
	}
}
